/**
 * POST /auth/token/rotate — replaces the dashboard token with a new random one and answers it.
 * Only a caller that holds a valid token gets here (the API's token check runs first), and only a
 * same-origin or non-browser request (the request policy). The old token stops working at once on
 * REST and `/mqtt`, and MQTT sessions that logged in with it are closed (see wactorz.ts's wiring);
 * the desktop app keeps the new one in its keychain. A hub without a dashboard token (loopback,
 * only API_KEY) answers 409: API_KEY belongs to the user's environment, not to the hub.
 */
import type { RoutePlugin } from './http-app.js';
import type { AccessTokens } from './access-token.js';
import { HttpError } from './http-error.js';
import type { TokenRotationResponse } from '../../shared/rest.js';

export function authRoutes(tokens: AccessTokens, log?: (level: 'info' | 'warning', message: string) => void): RoutePlugin {
  return async (app) => {
    app.post('/auth/token/rotate', async (req): Promise<TokenRotationResponse> => {
      const token = tokens.rotate();
      if (token === null) {
        throw new HttpError(409, 'no dashboard token to rotate', 'this hub has no dashboard token (it listens on loopback without WACTORZ_DASHBOARD_TOKEN); change API_KEY in its environment instead');
      }
      log?.('warning', `dashboard token rotated (asked from ${req.raw.socket.remoteAddress ?? '?'}); the old one no longer works`);
      return { token };
    });
  };
}
