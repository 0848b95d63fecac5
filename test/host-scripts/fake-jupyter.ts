// A local Jupyter server as the idle stop sees it: HTTPS with a self-signed certificate on
// loopback, GET /api/status and /api/sessions, a Date header from a clock the test sets, and
// jupyter_server's activity tracking (an API request without `no_track_activity` counts as
// activity, https://github.com/jupyter-server/jupyter_server/blob/main/jupyter_server/base/handlers.py).
import * as https from "https";
import { AddressInfo } from "net";
import { selfSignedCertificate } from "../self-signed-certificate";

export interface Kernel {
  id: string;
  execution_state: "idle" | "busy" | "starting";
  last_activity: Date;
}

export class FakeJupyter {
  now = new Date(0);
  /** The server-wide activity of kernels, terminals and the UI, as /api/status reports it. */
  lastActivity = new Date(0);
  kernels: Kernel[] = [];
  readonly requests: string[] = [];
  private server?: https.Server;

  /** https://127.0.0.1:<port> once listening. */
  url = "";

  async start(): Promise<void> {
    // A throwaway self-signed certificate, like the one a notebook instance's Jupyter serves,
    // with the extensions openssl gives one by default (its v3_ca section).
    const tls = selfSignedCertificate({
      commonName: "localhost",
      extensions: [
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid:always,issuer",
        "basicConstraints = critical,CA:true",
      ],
      days: 1,
    });
    this.server = https.createServer(tls, (req, res) => {
      const url = new URL(String(req.url), "https://localhost");
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const tracked = !url.searchParams.has("no_track_activity");
      let body: unknown;
      if (req.method === "GET" && url.pathname === "/api/status") {
        body = {
          started: new Date(0).toISOString(),
          last_activity: this.serverActivity().toISOString(),
          connections: 1,
          kernels: this.kernels.length,
        };
      } else if (req.method === "GET" && url.pathname === "/api/sessions") {
        if (tracked) this.lastActivity = this.now;
        body = this.kernels.map((k, i) => ({
          id: `session-${i}`,
          path: `notebook-${i}.ipynb`,
          type: "notebook",
          kernel: {
            ...k,
            name: "python3",
            connections: 1,
            last_activity: k.last_activity.toISOString(),
          },
        }));
      } else {
        res.writeHead(404, { Date: this.now.toUTCString() }).end();
        return;
      }
      res
        .writeHead(200, { "Content-Type": "application/json", Date: this.now.toUTCString() })
        .end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** jupyter_server's last_activity(): the latest of the server's own and every kernel's. */
  private serverActivity(): Date {
    return new Date(
      Math.max(this.lastActivity.getTime(), ...this.kernels.map((k) => k.last_activity.getTime())),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
