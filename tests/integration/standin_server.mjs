// What the stand-ins for hosted APIs share: an HTTP server on a loopback port that collects each
// request's body, checks the bearer token (answering 401 with the API's own error body), and
// hands the rest to the stand-in with a JSON reply function.
import http from 'node:http';

export async function startStandInServer({ token, unauthorizedBody, stats }, handle) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const reply = (status, payload) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        stats.unauthorized++;
        return reply(401, unauthorizedBody);
      }
      await handle(req, body, reply);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
