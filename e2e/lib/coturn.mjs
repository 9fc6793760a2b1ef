// A real coturn TURN server on loopback for one test file, in the REST-API mode Confab's
// time-limited credentials are made for (`--use-auth-secret`). Loopback peers must be
// allowed explicitly: coturn refuses to relay toward 127.0.0.0/8 by default, which is
// right in production and exactly where the SFU is in a test.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactsDir, freePort, slug } from "./server.mjs";

export const coturnBin = process.env.TURNSERVER ?? "turnserver";

/** Why coturn cannot run here (a reason for `skip`), or false. */
export function coturnMissing() {
  const probe = spawnSync(coturnBin, ["--version"], { stdio: "ignore" });
  return probe.error
    ? `coturn is not installed (apt-get install -y coturn): ${probe.error.message}`
    : false;
}

/** Starts turnserver on a free loopback port; resolves once it listens. */
export async function startCoturn({ name, secret }) {
  mkdirSync(artifactsDir, { recursive: true });
  const port = await freePort();
  // Its own pid file and (unused) user database, not the system's.
  const dir = await mkdtemp(join(tmpdir(), "confab-coturn-"));
  const args = [
    "-n", // no configuration file: everything is here
    "--listening-ip=127.0.0.1",
    "--relay-ip=127.0.0.1",
    `--listening-port=${port}`,
    "--use-auth-secret",
    `--static-auth-secret=${secret}`,
    "--realm=confab.test",
    "--fingerprint",
    "--no-tls",
    "--no-dtls",
    "--no-cli",
    "--no-multicast-peers",
    "--allow-loopback-peers",
    "--log-file=stdout",
    "--simple-log",
    "--verbose",
    `--pidfile=${join(dir, "turnserver.pid")}`,
    `--db=${join(dir, "turndb")}`,
  ];
  const child = spawn(coturnBin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(join(artifactsDir, `${slug(name)}.coturn.log`));
  let out = "";
  const exited = new Promise((r) => child.once("exit", r));
  await new Promise((resolveUp, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`coturn did not start:\n${out}`)),
      10_000,
    );
    const onData = (chunk) => {
      log.write(chunk);
      out += chunk.toString();
      // coturn prints this once its listeners are bound.
      if (/Total (UDP|General) servers/i.test(out)) {
        clearTimeout(timer);
        resolveUp();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}):\n${out}`));
    });
  });
  return {
    port,
    /** What coturn logged so far (allocations, permissions, errors). */
    log: () => out,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      log.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
