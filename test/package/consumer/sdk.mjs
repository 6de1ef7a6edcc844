// Plain Node ESM: the SDK from the installed package, against a port where nothing listens.
import { SundialClient, SundialNetworkError } from 'sundial-scheduler';

const endpoint = process.argv[2];
const error = await new SundialClient({ endpoint, maxAttempts: 1 }).getTask('t1').catch((e) => e);
console.log(JSON.stringify({ network: error instanceof SundialNetworkError, endpoint: error.endpoint }));
