export { assertNativeUws, DEFAULT_LIMITS, startGateway, type GatewayApp, type GatewayConfig } from './app.ts';
export { CLOSE, PROTOCOL_VERSION } from './protocol.ts';
