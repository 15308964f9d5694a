/**
 * The one error callers are expected to show to a person as is: it says what
 * to install, or which environment variable to set instead, so that `npm start`
 * and the test harness can print it without a stack trace.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}
