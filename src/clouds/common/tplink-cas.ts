/**
 * TP-Link's private certificate authorities (public certificates: data, not
 * secrets), from ../shared/reference/certs: no public trust store carries
 * them, yet TP-Link's V2 account hosts and app servers chain to them. They
 * are trusted beside the system store for TP-Link's hosts only (http.ts).
 */

/**
 * CN=TP-Link Cloud Server CA (EC P-256), valid until 2040-02-22; serves
 * `*.i.tplinkcloud.com` (n-wap.i.tplinkcloud.com...). An intermediate whose
 * root ("TP-Link Cloud Root CA") is not published: it is trusted as an
 * anchor by itself (partial-chain verification, see http.ts).
 * SHA-256 fingerprint 28:86:05:72:D5:DC:7E:9D:76:70:20:92:E4:16:4A:BA:E8:CA:73:A9:00:FC:40:3D:89:41:C2:2F:B6:91:B9:0E.
 */
export const TPLINK_CLOUD_SERVER_CA = `-----BEGIN CERTIFICATE-----
MIICjjCCAjSgAwIBAgIUDvm17dXeo3BBXMzvuzzwOgi3Q40wCgYIKoZIzj0EAwMw
cjEeMBwGA1UEAwwVVFAtTGluayBDbG91ZCBSb290IENBMR0wGwYDVQQKDBRUUC1M
aW5rIFN5c3RlbXMgSW5jLjEPMA0GA1UEBwwGSXJ2aW5lMRMwEQYDVQQIDApDYWxp
Zm9ybmlhMQswCQYDVQQGEwJVUzAeFw0yNTAyMjUwMzU3MDFaFw00MDAyMjIwMzU3
MDFaMHQxIDAeBgNVBAMMF1RQLUxpbmsgQ2xvdWQgU2VydmVyIENBMR0wGwYDVQQK
DBRUUC1MaW5rIFN5c3RlbXMgSW5jLjEPMA0GA1UEBwwGSXJ2aW5lMRMwEQYDVQQI
DApDYWxpZm9ybmlhMQswCQYDVQQGEwJVUzBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABFfbER2ybkfy/g1y2r7eBKXT+f5d3y/TtX/Z4ydUFZOIb6VxbcTPAniMSI4B
/NNI0Tk/GCN0EFYlC/rGxoaA5mmjgaUwgaIwEgYDVR0TAQH/BAgwBgEB/wIBADAO
BgNVHQ8BAf8EBAMCAYYwPAYDVR0fBDUwMzAxoC+gLYYraHR0cDovL2NybC50cGxp
bmtjbG91ZC5jb20vVFBMaW5rUm9vdENBLmNybDAdBgNVHQ4EFgQUiG82rMbvOSoF
Xc79B7Q2Co1VtJwwHwYDVR0jBBgwFoAUC1dD03ntY75yTHFAhLUICUoP6MkwCgYI
KoZIzj0EAwMDSAAwRQIhANMn7B+KXILe2IYiLipivo+Xm3mwuncrTThiV3HKM2aZ
AiBXBL/Z6Uyn1ySWkv+RKvW+Ig9onNIejl0dAV8z9ielHQ==
-----END CERTIFICATE-----
`;

/**
 * CN=TP-LINK CA P1 (intermediate) and CN=tp-link-CA (its self-signed root),
 * valid until 2068-01-19; serve `*.tplinkcloud.com` (n-wap, n-*-wap-gw,
 * regional app servers).
 */
export const TPLINK_CA_ROOT_AND_P1 = `-----BEGIN CERTIFICATE-----
MIID+DCCAuCgAwIBAgITdAAAAAdZrje7ktFgcAAAAAAABzANBgkqhkiG9w0BAQsF
ADAVMRMwEQYDVQQDEwp0cC1saW5rLUNBMCAXDTIwMDUxOTA5MjEwMloYDzIwNjgw
MTE5MDgzNzUyWjBaMRIwEAYKCZImiZPyLGQBGRYCY24xEzARBgoJkiaJk/IsZAEZ
FgNjb20xFzAVBgoJkiaJk/IsZAEZFgd0cC1saW5rMRYwFAYDVQQDEw1UUC1MSU5L
IENBIFAxMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv4DMrSRNtjjt
P+1swNtCCthsOCiyy4+v5fFilnP5GPFbTgiOjUA1SMmWqrhDCHG8ZC2HrCIm7/Oj
O41M7IHbr0HHwMOrm4rkeucvuCu1Hmrh47L0YK872aWTlMcqL2Lt2sJJpl7kZhH0
LVWlYPQSXRgOZE6I+UsgUfksf4H7lH1mReYjTa8uzQJzN14IrCUzMc6lAZxMR/fr
zQ2hXbn4P+hGDBtw2k8Zj5rZJm6ALTpe/JGiR04ocOqRhldJYYoijhfqcpp7racT
tbo4wrz4dpfmZQv1K7ZOkAi79lEjTFE6OiSMJAkxL3ObOB3h7qkcjlb9xXgpGWJQ
ylLhFNHnzQIDAQABo4H5MIH2MBAGCSsGAQQBgjcVAQQDAgEBMCMGCSsGAQQBgjcV
AgQWBBRskYoxJ4QIQK+6xIr4syb5p3hJ+zAdBgNVHQ4EFgQUVQi1z4hvsNPAlOf6
v6KN9JRW0l4wGQYJKwYBBAGCNxQCBAweCgBTAHUAYgBDAEEwCwYDVR0PBAQDAgGG
MA8GA1UdEwEB/wQFMAMBAf8wHwYDVR0jBBgwFoAUxu2iBRTsef5iNnsADVhMJDQW
i6kwRAYDVR0fBD0wOzA5oDegNYYzaHR0cDovL3RwY3JsLnRwLWxpbmsuY29tLmNu
L2NlcnRkYXRhL3RwLWxpbmstQ0EuY3JsMA0GCSqGSIb3DQEBCwUAA4IBAQArzgXJ
ZORRDC3hSu0zoAWWn4bUaXy+1K2fbkkfceJc1yQUnx7WhVOtPiuCFYp5qraSUVHk
vFVFEUY2Jhdk1uP7lXQuU81XuCisMA2VoNcOL9blVyturewyN8YWmWhptjeYKEPy
SEUUTTkKjqdsWFwxqyDrwom70Ev+TOZfyF8O8IQCoj1Lv0wcEE1B+HGdVboitJUA
f4+tJg8bqahrZrFMSTVttuRxkIYupPlhFhY880/ptuUy2taRkhDP2717dUdB9KsQ
/xeRvYXgPbK1o4esNjmftMcziWanTLTT/DwQv/8j8J32gGojNtuX8NzYfqx8gxMQ
RUH9G1c+dc3etM0K
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIDBzCCAe+gAwIBAgIQT5x0ma7QnINHCQvhnmzR9zANBgkqhkiG9w0BAQsFADAV
MRMwEQYDVQQDEwp0cC1saW5rLUNBMCAXDTE4MDExOTA4Mjc1MloYDzIwNjgwMTE5
MDgzNzUyWjAVMRMwEQYDVQQDEwp0cC1saW5rLUNBMIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEAuGG8n5zEUN1j5wuvUz4pAIMurhKHbpfUUu+b2acFHKS6
iU9hNJWvDyhXcihY5Wz6aq9m4D5SZcgW3k31YoNNtrztDjdg2qw7AaX85S99/G0B
VbIXktrhs34OW19WA/haDwut3dFhLem+gCRRKUXcmuqchZc84dY7JFVfhPcJci4m
sRjLCFNO0ho9OX+MZwfO4BLaeAqKVoAor6rf4BXVtO0xjYHDKO0fb3AWLLJ4EjGe
q6YieqPiYlPFEqRm5PrvBXTm0IuQogygyVpK4LHr/K207ZLyV33DxLLbsUgSEJVn
pZUv/WUujXjlIDgxIvyZZCYiXO3dle2/MEvpmZk6JQIDAQABo1EwTzALBgNVHQ8E
BAMCAYYwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUxu2iBRTsef5iNnsADVhM
JDQWi6kwEAYJKwYBBAGCNxUBBAMCAQAwDQYJKoZIhvcNAQELBQADggEBAB52Majd
+wo3cb5BsTo63z2Psbbyl4ACMUaw68NxUMy61Oihx3mcLzLJqiIZcKePiHskLqLJ
F7QfT9TqjvizMjFJVgsLuVubUBXKBzqyN+3KKlQci0PO3mH+ObhyaE7BzV+qrS3P
dVTgsCWFv8DkgLTRudSWxL7VwVoedc7lRz5EroGgJ33nRGCR0ngcW919tLTARDQO
pULmzulcdWeZgG+0PLX0xjJQIjFEvbOxR1Z+gxMupBz0rWFokmWYrcga8eWiWzjQ
Ia3/ASBVJ69srV77trWlfLumkChbXk9i64NXBKnce0Jmll0Y9OC1nMPqrbQKnzcn
dSAA4fejD/qMQn0=
-----END CERTIFICATE-----
`;

/** Every built-in TP-Link CA, PEM. */
export const TPLINK_CAS: readonly string[] = [TPLINK_CLOUD_SERVER_CA, TPLINK_CA_ROOT_AND_P1];

/** TP-Link's cloud hosts: the only ones that get the built-in CAs. */
export function isTplinkHost(hostname: string): boolean {
  return /(^|\.)(tplinkcloud\.com|tplinknbu\.com)$/i.test(hostname);
}
