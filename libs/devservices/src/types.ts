/** A server this lib found or started, as the lower-level start functions return it. */
export type StartedServer = {
  url: string;
  /** One line for a person: what runs where, and where its data and log are. */
  description: string;
  /**
   * False when a server that an earlier run left behind was found and reused:
   * it was not started by this call, so it is not reported as started and
   * `stop()` leaves it alone (another process may be using it).
   */
  startedNow: boolean;
  /** The server process, when this lib runs it as a child or knows it from an earlier run. */
  pid?: number;
  stop(): Promise<void>;
};

export type Log = (line: string) => void;

/** Makes a stop function safe to call repeatedly and concurrently. */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= stop());
}
