import { jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { Codec } from '@parley/contracts';
import { connectNats, names as namesOf, provision, type Logger } from '@parley/platform';
import { Aggregates } from './aggregates.ts';
import { EventLog } from '@parley/event-store';
import { CommandProcessor } from './handler.ts';
import { Stores } from './stores.ts';

export type CommandHandlerConfig = { natsUrl: string; namespace: string };
export type CommandHandlerApp = { stop(): Promise<void> };

/**
 * Consumes the command log through its durable consumer, one command at a
 * time, in log order. Several instances may run: optimistic concurrency on
 * every append keeps them correct; partitioning by guild (later) makes them fast.
 */
export async function startCommandHandler(config: CommandHandlerConfig, logger: Logger): Promise<CommandHandlerApp> {
  const names = namesOf(config.namespace);
  const nc = await connectNats(config.natsUrl, 'parley-command-handler');
  await provision(nc, names);
  const codec = new Codec();
  const eventLog = await EventLog.open(nc, names.eventStream);
  const processor = new CommandProcessor({
    nc,
    names,
    codec,
    eventLog,
    aggregates: new Aggregates(eventLog, codec),
    stores: await Stores.open(nc, names),
    logger,
  });
  const consumer = await jetstream(nc).consumers.get(names.commandStream, names.commandConsumer);
  let messages: ConsumerMessages | null = null;
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_messages: 256 });
        for await (const message of messages) await processor.handle(message);
      } catch (error) {
        if (stopping) break;
        logger.error({ err: error }, 'command consumer failed; resubscribing in 1 s');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  logger.info({ stream: names.commandStream }, 'command handler consuming');
  return {
    async stop() {
      stopping = true;
      await (messages as ConsumerMessages | null)?.close();
      await loop;
      await nc.drain();
    },
  };
}
