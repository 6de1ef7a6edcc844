// A CommonJS TypeScript consumer: NodeNext resolves the package's `require` condition and its .d.cts.
import { SundialClient, SundialNetworkError } from 'sundial-scheduler';

export async function ping(endpoint: string): Promise<string> {
  const sundial = new SundialClient({ endpoint, maxAttempts: 1 });
  try {
    return (await sundial.getScheduler()).state;
  } catch (error) {
    if (error instanceof SundialNetworkError) return `unreachable: ${error.endpoint}`;
    throw error;
  }
}
