// Plain Node CommonJS: the same through require().
const { SundialClient, SundialNetworkError } = require('sundial-scheduler');

const endpoint = process.argv[2];
new SundialClient({ endpoint, maxAttempts: 1 })
  .getTask('t1')
  .catch((error) =>
    console.log(JSON.stringify({ network: error instanceof SundialNetworkError, endpoint: error.endpoint })),
  );
