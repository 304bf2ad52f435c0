/**
 * The floor every server benchmark is measured against: a bare Fastify route answering `{}`,
 * on the same machine, in the same run. Prints "listening <port>" when ready.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.post("/floor", async () => ({}));
app.get("/floor", async () => ({}));
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`listening ${new URL(address).port}\n`);
process.on("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
