/**
 * Warren's AMQP 0-9-1 codec, shared by the gateway and the browser client.
 * Runtime-agnostic: Uint8Array, DataView and TextEncoder/TextDecoder only.
 */
export * from './constants.js';
export * from './errors.js';
export { SPEC, BASIC_CLASS_ID, type ArgType } from './spec.js';
export type { Method, MethodArgs, MethodName, MethodOf } from './method-types.js';
export { Decimal, Typed, type FieldTable, type FieldValue, type TypedOctet } from './field-value.js';
export { ByteReader } from './byte-reader.js';
export { ByteWriter } from './byte-writer.js';
export { MAX_TABLE_DEPTH, readTable, skipFieldValue, writeTable } from './field-table.js';
export {
  PROPERTIES,
  decodeContentHeader,
  decodeHeaderFrame,
  fixedPropertySize,
  propertyFlag,
  readContentHeader,
  writeContentHeader,
  type BasicProperties,
  type ContentHeader,
} from './properties.js';
export {
  allMethods,
  decodeMethod,
  decodeMethodFrame,
  methodInfo,
  methodKey,
  methodInfoByName,
  peekMethodId,
  writeMethodPayload,
  type MethodInfo,
} from './method-codec.js';
export { FrameWriter, encodeHeartbeat, encodeMethod } from './frame-writer.js';
export { FrameSplitter, type Frame, type FrameSplitterOptions, type SpareMemory } from './frame-splitter.js';
export { decodeUtf8, encodeUtf8, utf8Length } from './utf8.js';
