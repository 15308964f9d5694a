export { startApi, type ApiApp, type ApiConfig } from './app.ts';
