import { authUriRoute } from './api-routes.ts';

export { decideIdentification, IDENTIFY_PATH, parseIdentificationLink } from './link.ts';
export { identificationAuthRoutes } from './page-routes.ts';
export { IdentificationStore } from './store.ts';

/**
 * Signup+ in Finland on the API host: `POST /signup-plus/authuri`. Its user data is
 * `GET /signup-plus/payments`'s (payments/api-routes.ts hands euro payments to api-routes.ts here).
 */
export const identificationApiRoutes = [authUriRoute];
