// The Management API's audience, in a module of its own: the CLI needs it without loading oidc-provider
// (which warns about the Node.js line at import).
export const apiResource = (issuer: string) => `${issuer}/api`;
