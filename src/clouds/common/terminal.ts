/**
 * The query string every V2 request carries (kasa-cloud.md §2): which app
 * and which terminal asks. Kasa and Tapo send the same fields, each with
 * its own app name and version.
 */
export function v2TerminalQuery(app: { name: string; version: string }, terminalUUID: string, token?: string): Record<string, string> {
  return {
    appName: app.name,
    appVer: app.version,
    netType: 'wifi',
    termID: terminalUUID,
    ospf: 'Android 12',
    brand: 'TPLINK',
    locale: 'en_US',
    model: 'Pixel 6',
    termName: 'tplink-cloud-mqtt',
    termMeta: 'tplink-cloud-mqtt',
    ...(token === undefined ? {} : { token }),
  };
}
