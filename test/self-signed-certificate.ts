// A throwaway self-signed certificate for a local HTTPS server, made with openssl for this run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** What the certificate says of itself. */
export interface CertificateArgs {
  /** The subject's common name. */
  commonName: string;
  /** Its X.509 v3 extensions, as lines of an openssl config section. */
  extensions: string[];
  /** How many days it is valid from now. */
  days: number;
}

/** A P-256 key and a certificate signed by it, both PEM. */
export function selfSignedCertificate(args: CertificateArgs): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "test-cert-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    const configFile = path.join(dir, "openssl.cnf");
    writeFileSync(
      configFile,
      [
        "[req]",
        "distinguished_name = dn",
        "x509_extensions = ext",
        "prompt = no",
        "[dn]",
        `CN = ${args.commonName}`,
        "[ext]",
        ...args.extensions,
      ].join("\n"),
    );
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        String(args.days),
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-config",
        configFile,
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
