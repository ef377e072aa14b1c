/**
 * The facts of AMQP 0-9-1 (with RabbitMQ's extensions) as one declarative table:
 * classes, their ids, their methods, each method's id and argument list in wire
 * order. Everything else in the codec — encoders, decoders, the `Method` union —
 * is derived from this table; nothing here is hand-typed twice.
 *
 * Argument types are the spec's domains. `reserved*` arguments exist on the wire
 * but carry nothing: they are written as zero/empty and not surfaced on decode.
 */
export const SPEC = {
  connection: {
    id: 10,
    methods: {
      start: {
        id: 10,
        args: {
          versionMajor: 'octet',
          versionMinor: 'octet',
          serverProperties: 'table',
          mechanisms: 'longstr',
          locales: 'longstr',
        },
      },
      startOk: {
        id: 11,
        args: { clientProperties: 'table', mechanism: 'shortstr', response: 'longstr', locale: 'shortstr' },
      },
      secure: { id: 20, args: { challenge: 'longstr' } },
      secureOk: { id: 21, args: { response: 'longstr' } },
      tune: { id: 30, args: { channelMax: 'short', frameMax: 'long', heartbeat: 'short' } },
      tuneOk: { id: 31, args: { channelMax: 'short', frameMax: 'long', heartbeat: 'short' } },
      open: { id: 40, args: { virtualHost: 'shortstr', capabilities: 'reservedShortstr', insist: 'reservedBit' } },
      openOk: { id: 41, args: { knownHosts: 'reservedShortstr' } },
      close: { id: 50, args: { replyCode: 'short', replyText: 'shortstr', classId: 'short', methodId: 'short' } },
      closeOk: { id: 51, args: {} },
      blocked: { id: 60, args: { reason: 'shortstr' } },
      unblocked: { id: 61, args: {} },
      updateSecret: { id: 70, args: { newSecret: 'longstr', reason: 'shortstr' } },
      updateSecretOk: { id: 71, args: {} },
    },
  },
  channel: {
    id: 20,
    methods: {
      open: { id: 10, args: { outOfBand: 'reservedShortstr' } },
      openOk: { id: 11, args: { channelId: 'reservedLongstr' } },
      flow: { id: 20, args: { active: 'bit' } },
      flowOk: { id: 21, args: { active: 'bit' } },
      close: { id: 40, args: { replyCode: 'short', replyText: 'shortstr', classId: 'short', methodId: 'short' } },
      closeOk: { id: 41, args: {} },
    },
  },
  exchange: {
    id: 40,
    methods: {
      declare: {
        id: 10,
        args: {
          ticket: 'reservedShort',
          exchange: 'shortstr',
          type: 'shortstr',
          passive: 'bit',
          durable: 'bit',
          autoDelete: 'bit',
          internal: 'bit',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      declareOk: { id: 11, args: {} },
      delete: { id: 20, args: { ticket: 'reservedShort', exchange: 'shortstr', ifUnused: 'bit', noWait: 'bit' } },
      deleteOk: { id: 21, args: {} },
      bind: {
        id: 30,
        args: {
          ticket: 'reservedShort',
          destination: 'shortstr',
          source: 'shortstr',
          routingKey: 'shortstr',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      bindOk: { id: 31, args: {} },
      unbind: {
        id: 40,
        args: {
          ticket: 'reservedShort',
          destination: 'shortstr',
          source: 'shortstr',
          routingKey: 'shortstr',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      unbindOk: { id: 51, args: {} },
    },
  },
  queue: {
    id: 50,
    methods: {
      declare: {
        id: 10,
        args: {
          ticket: 'reservedShort',
          queue: 'shortstr',
          passive: 'bit',
          durable: 'bit',
          exclusive: 'bit',
          autoDelete: 'bit',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      declareOk: { id: 11, args: { queue: 'shortstr', messageCount: 'long', consumerCount: 'long' } },
      bind: {
        id: 20,
        args: {
          ticket: 'reservedShort',
          queue: 'shortstr',
          exchange: 'shortstr',
          routingKey: 'shortstr',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      bindOk: { id: 21, args: {} },
      purge: { id: 30, args: { ticket: 'reservedShort', queue: 'shortstr', noWait: 'bit' } },
      purgeOk: { id: 31, args: { messageCount: 'long' } },
      delete: {
        id: 40,
        args: { ticket: 'reservedShort', queue: 'shortstr', ifUnused: 'bit', ifEmpty: 'bit', noWait: 'bit' },
      },
      deleteOk: { id: 41, args: { messageCount: 'long' } },
      unbind: {
        id: 50,
        args: {
          ticket: 'reservedShort',
          queue: 'shortstr',
          exchange: 'shortstr',
          routingKey: 'shortstr',
          arguments: 'table',
        },
      },
      unbindOk: { id: 51, args: {} },
    },
  },
  basic: {
    id: 60,
    methods: {
      qos: { id: 10, args: { prefetchSize: 'long', prefetchCount: 'short', global: 'bit' } },
      qosOk: { id: 11, args: {} },
      consume: {
        id: 20,
        args: {
          ticket: 'reservedShort',
          queue: 'shortstr',
          consumerTag: 'shortstr',
          noLocal: 'bit',
          noAck: 'bit',
          exclusive: 'bit',
          noWait: 'bit',
          arguments: 'table',
        },
      },
      consumeOk: { id: 21, args: { consumerTag: 'shortstr' } },
      cancel: { id: 30, args: { consumerTag: 'shortstr', noWait: 'bit' } },
      cancelOk: { id: 31, args: { consumerTag: 'shortstr' } },
      publish: {
        id: 40,
        content: true,
        args: {
          ticket: 'reservedShort',
          exchange: 'shortstr',
          routingKey: 'shortstr',
          mandatory: 'bit',
          immediate: 'bit',
        },
      },
      return: {
        id: 50,
        content: true,
        args: { replyCode: 'short', replyText: 'shortstr', exchange: 'shortstr', routingKey: 'shortstr' },
      },
      deliver: {
        id: 60,
        content: true,
        args: {
          consumerTag: 'shortstr',
          deliveryTag: 'longlong',
          redelivered: 'bit',
          exchange: 'shortstr',
          routingKey: 'shortstr',
        },
      },
      get: { id: 70, args: { ticket: 'reservedShort', queue: 'shortstr', noAck: 'bit' } },
      getOk: {
        id: 71,
        content: true,
        args: {
          deliveryTag: 'longlong',
          redelivered: 'bit',
          exchange: 'shortstr',
          routingKey: 'shortstr',
          messageCount: 'long',
        },
      },
      getEmpty: { id: 72, args: { clusterId: 'reservedShortstr' } },
      ack: { id: 80, args: { deliveryTag: 'longlong', multiple: 'bit' } },
      reject: { id: 90, args: { deliveryTag: 'longlong', requeue: 'bit' } },
      recoverAsync: { id: 100, args: { requeue: 'bit' } },
      recover: { id: 110, args: { requeue: 'bit' } },
      recoverOk: { id: 111, args: {} },
      nack: { id: 120, args: { deliveryTag: 'longlong', multiple: 'bit', requeue: 'bit' } },
    },
  },
  confirm: {
    id: 85,
    methods: {
      select: { id: 10, args: { noWait: 'bit' } },
      selectOk: { id: 11, args: {} },
    },
  },
  tx: {
    id: 90,
    methods: {
      select: { id: 10, args: {} },
      selectOk: { id: 11, args: {} },
      commit: { id: 20, args: {} },
      commitOk: { id: 21, args: {} },
      rollback: { id: 30, args: {} },
      rollbackOk: { id: 31, args: {} },
    },
  },
} as const satisfies Record<string, ClassSpec>;

/** An argument's wire domain. */
export type ArgType =
  | 'octet'
  | 'short'
  | 'long'
  | 'longlong'
  | 'bit'
  | 'shortstr'
  | 'longstr'
  | 'table'
  | 'reservedShort'
  | 'reservedShortstr'
  | 'reservedLongstr'
  | 'reservedBit';

interface MethodSpec {
  readonly id: number;
  readonly content?: boolean;
  readonly args: Readonly<Record<string, ArgType>>;
}

interface ClassSpec {
  readonly id: number;
  readonly methods: Readonly<Record<string, MethodSpec>>;
}

/** Class id of `basic`, the only class with content in 0-9-1. */
export const BASIC_CLASS_ID = SPEC.basic.id;
