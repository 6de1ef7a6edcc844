/** A target that returns at once: what an invocation costs beyond the handler itself. */
export const handler = async (event: unknown) => ({ received: event !== undefined });
