/**
 * TP-Link's numeric error codes (kasa-cloud.md §3, tapo-cloud.md §1) that
 * both the clients (which act on them) and the simulated cloud (which
 * answers with them) name. The clients map them to a CloudErrorKind in
 * clouds/common/errors.ts; nothing else should spell a code as a number.
 */
export const ERROR_CODES = {
  /** Kasa V1/Tapo login: this app version is refused; use the signed V2 API. */
  appVersionTooOld: -23003,
  accountNotFound: -20600,
  wrongCredentials: -20601,
  mfaCodeWrong: -20607,
  accountLocked: -20661,
  /** "Account login in other places" (some clients: locked). */
  loggedInElsewhere: -20675,
  mfaRequired: -20677,
  /** Tapo V2 account call on the wrong regional host; the answer names the right one. */
  wrongRegion: -20212,
  tokenExpired: -20651,
  tokenIncorrect: -20652,
  refreshTokenExpired: -20655,
  refreshTokenIncorrect: -20656,
  ipRateLimited: -10200,
  userRateLimited: -10201,
  apiRateLimited: -20004,
  deviceOffline: -20571,
  /** The device did not answer in time. */
  deviceTimeout: -20002,
  deviceNotBound: -20580,
  deviceIdNotFound: -20501,
  internalError: -20000,
  serverBusy: -20003,
  methodNotFound: -20103,
  /** Also "MFA process not found" on the V2 MFA endpoints. */
  parameterMissing: -20104,
  jsonFormatError: -10100,
  signatureInvalid: -10008,
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;
