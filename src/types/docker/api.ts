/** The Engine API version berth's server and client speak (see api/api-version.ts for why). */
export const ENGINE_API_VERSION = '1.41';
export const ENGINE_MIN_API_VERSION = '1.24';

export interface ErrorResponse {
  message: string;
}
