export { startCommand } from './start.ts';
export { tokenCommand } from './token.ts';
