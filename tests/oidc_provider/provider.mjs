// A real OpenID provider for the browser test (tests/web/test_oidc_browser.py): node-oidc-provider,
// the certified reference implementation, with its defaults — claims served from userinfo, not
// the ID token (conformIdTokenClaims), PKCE required, its development login and consent pages.
// Usage: node provider.mjs <config.json>; prints "listening <issuer>" when ready.
// config.json: {"port": 9000, "issuer": "http://127.0.0.1:9000/", "clients": [...],
//               "accounts": {"<login>": {"email": ..., "email_verified": ..., "name": ..., "roles": [...]}}}
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  // The login form takes any name; a name not in the accounts signs in a subject without claims.
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, ...(config.accounts[sub] || {}) };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    roles: ['roles'],
  },
  scopes: ['openid', 'email', 'profile', 'roles'],
  cookies: { keys: ['test-only-cookie-key-0123456789abcdef'] },
  features: { devInteractions: { enabled: true } },
});
// The development pages warn on every start: quiet here, the test reads only the first line.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${config.issuer}`);
});
