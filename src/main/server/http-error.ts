/** An error with an HTTP status; the error handler turns it into `{error, detail}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly detail?: unknown,
    /** `text`: answer the bare message as text/plain unless the client asked for JSON (the original REST interface's errors). */
    readonly opts: { text?: boolean } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);
