/**
 * Public contract of the simulated TP-Link cloud. Tests, the demo and the
 * benchmarks only use what is declared here.
 */

export type FaultKind =
  | 'http500' // HTTP 500 with an HTML body
  | 'busy' // error_code -20003 (Kasa) / HTTP 503 {"code":-20003} (Tapo)
  | 'timeout' // never answers (the client's timeout must fire)
  | 'reset' // destroys the socket mid-request
  | 'malformed' // 200 with a body that is not JSON
  | 'schema'; // 200 with JSON of the wrong shape

export interface FaultOptions {
  /** Added delay before every answer. */
  latencyMs: number;
  /** Token lifetime; 0 = never expires. Expired: Kasa -20651, Tapo HTTP 401. */
  tokenTtlS: number;
  /** Probability (0..1) that a request gets one of `errorKinds` instead of its answer. */
  errorRate: number;
  errorKinds: FaultKind[];
  /** Requests per second per cloud beyond which the answer is -20004 (Kasa) / 429 (Tapo); 0 = off. */
  rateLimitPerSecond: number;
  /** Every login answers -20601 wrong e-mail or password. */
  wrongPassword: boolean;
  /** After this many failed logins the account is locked (-20661); 0 = never. */
  lockAfterFailures: number;
  /** V1 Kasa login answers -23003 (app version too old): only V2 works. */
  v2Only: boolean;
  /** Logins (Kasa V2, Tapo V1 and V2) answer -20677 until the MFA flow completes for that terminal. */
  mfaRequired: boolean;
  /** The Tapo cloud as the old seed describes it: no signed V2 account calls (-20103), no /v2/things, no app-server discovery. */
  tapoV1Only: boolean;
  /** The V1 Tapo login answers -23003 (app version too old): only the signed V2 login works. */
  tapoV2Only: boolean;
  /** Delay before a Tapo shadow's desired state shows up in reported. */
  shadowApplyDelayMs: number;
}

export interface SimulatorOptions extends Partial<FaultOptions> {
  /** Listen address; always loopback in tests. Default 127.0.0.1. */
  host?: string;
  /** Load every Kasa and Tapo fixture from this folder (format of ../shared/fixtures). */
  fixturesDir?: string;
  /** Add this many synthetic devices in a realistic mix. */
  devices?: number;
  /** Use the built-in default device set (default: true when neither fixturesDir nor devices is given). */
  builtin?: boolean;
  username?: string;
  password?: string;
  /** Seed for ids and random choices, so runs are reproducible. */
  seed?: number;
  /** Print the MFA code and other notable events (default: silent). */
  log?: (line: string) => void;
  /**
   * Simulated clock in ms since epoch, driving energy counters, token TTL,
   * the shadow apply delay and the rate-limit window (default Date.now).
   * Tests advance it to see growth.
   */
  clock?: () => number;
  /**
   * Serve every host over https with this certificate chain (leaf first,
   * then intermediates) and key, PEM; default plain http.
   */
  tls?: { cert: string; key: string };
  /**
   * Keep only about this many recorded requests (oldest dropped), for long
   * standalone runs; default unlimited so tests see every call.
   */
  recordLimit?: number;
}

export interface SimulatorUrls {
  kasa: {
    /** Global V1 host ("wap"): login, refreshToken, getDeviceList. */
    url: string;
    /** V2 account host ("n-wap"): getAccountStatusAndUrl. */
    v2Url: string;
    /** Regional hosts by region name ("eu", "use1"): devices answer only on their own. */
    regions: Record<string, string>;
  };
  tapo: {
    /**
     * Full URL of the V1 account endpoint, e.g. http://127.0.0.1:P/api/v1/account;
     * its origin is also the first V2 host (getAccountStatusAndUrl).
     */
    accountUrl: string;
    /** App server base URL ("NBU") that discovery names: /v1/things, /v2/things... */
    appServerUrl: string;
    /** The regional V2 account host that getAccountStatusAndUrl names. */
    v2RegionalUrl: string;
    /** The app server each listed thing names as its own (appServerUrl / appServerUrlV2). */
    thingsUrl: string;
    /** Where refreshToken works (the Kasa-style global host). */
    refreshUrl: string;
  };
}

export interface RecordedRequest {
  /** ms since epoch when the request arrived. */
  time: number;
  cloud: 'kasa' | 'tapo';
  /**
   * Which simulated host got it: "wap", "n-wap", "eu", "use1", "tapo-account"
   * (V1 login, first V2 host), "tapo-wap" (regional V2 account host),
   * "tapo-app" (the discovered app server), "tapo-things" (the app server
   * the things list names for each thing).
   */
  host: string;
  httpMethod: string;
  /** Path without the query string. */
  path: string;
  /**
   * What was asked: Kasa `method` ("login", "refreshToken", "getDeviceList",
   * "passthrough", "v2.login", "v2.getAccountStatusAndUrl", ...), Tapo
   * "login", "v2.<account call>", "getAppServiceUrlByCloudUserName", "things",
   * "things.v2", "shadows.get", "shadows.patch", "usage", "services-sync".
   */
  api: string;
  /** Kasa deviceId or Tapo thingName the request addresses, when any. */
  deviceId?: string;
  /** Tapo shadows.get: the thingNames asked. */
  thingNames?: string[];
  /** Parsed JSON body (passthrough requestData parsed too, under body.params.requestData). */
  body: unknown;
  /** HTTP status answered (0 when the connection was reset or never answered). */
  status: number;
  /** error_code / errorCode / code answered, when not success. */
  errorCode?: number;
}

export interface SimulatedDeviceSummary {
  cloud: 'kasa' | 'tapo';
  /** Kasa deviceId or Tapo thingName. */
  id: string;
  model: string;
  alias: string;
  online: boolean;
  /** Child ids (Kasa) or sub-thing names (Tapo) of a strip. */
  children: string[];
}

export interface Simulator {
  readonly urls: SimulatorUrls;
  readonly username: string;
  readonly password: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** Change faults at run time; unspecified fields keep their value. */
  setFaults(faults: Partial<FaultOptions>): void;
  readonly faults: Readonly<FaultOptions>;
  /** Make every issued token expire now. */
  expireTokens(): void;
  /** Make every refresh token issued so far answer -20655 (refresh token expired). */
  expireRefreshTokens(): void;
  /** Lift a lock and reset failed login counts. */
  unlockAccount(): void;
  /** The last MFA code sent by getEmailVC4TerminalMFA / getPushVC4TerminalMFA. */
  lastMfaCode(): string | undefined;
  devices(): SimulatedDeviceSummary[];
  /** Take a device (by Kasa deviceId or Tapo thingName) on or off line. */
  setOnline(id: string, online: boolean): void;
  /** Remove a device from the account (it disappears from the lists). */
  removeDevice(id: string): void;
  /**
   * The current simulated state of a device or outlet: Kasa sysinfo (with
   * `relay_state` or the child's `state`, `light_state`, `brightness`...), or
   * a Tapo shadow `{reported, desired, version}`.
   */
  deviceState(id: string): Record<string, unknown> | undefined;
  /** Change a device's state behind the bridge's back (as the app or a button would). */
  setDeviceState(id: string, patch: Record<string, unknown>): void;
  /**
   * TP-Link offers the device (Kasa deviceId or Tapo thingName) a newer
   * firmware: Tapo `get_latest_fw` names it and `fw_download` installs it
   * (progress, reboot, then the new `fw_ver`); Kasa `get_intl_fw_list`
   * lists it. `releaseNote` defaults to a short text.
   */
  offerFirmware(id: string, version: string, releaseNote?: string): void;
  close(): Promise<void>;
}
