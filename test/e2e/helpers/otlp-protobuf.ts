// A small protobuf wire-format decoder for OTLP ExportTraceServiceRequest, so tests read an
// http/protobuf export with the same assertions as an http/json one. It decodes to the shape of
// the OTLP/JSON encoding (hex ids, decimal nanosecond strings, camelCase fields) and skips every
// field a test does not need. Field numbers are those of opentelemetry/proto/trace/v1/trace.proto
// and common/v1/common.proto.

/** The OTLP/JSON shape of a trace export, as far as the tests read it. */
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: Array<{ scope?: { name: string; version?: string }; spans: OtlpSpan[] }>;
}

export interface OtlpSpan {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  /** code: 0 unset, 1 ok, 2 error. */
  status: { code?: number; message?: string };
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  /** Base64, as in OTLP/JSON. */
  bytesValue?: string;
}

type Field = { number: number } & ({ wire: 'varint'; value: bigint } | { wire: 'fixed64' | 'bytes' | 'fixed32'; value: Buffer });

/** Decodes the body of an `application/x-protobuf` POST to /v1/traces. */
export function decodeTraceRequest(body: Uint8Array): OtlpTraceRequest {
  const request: OtlpTraceRequest = { resourceSpans: [] };
  for (const field of fields(Buffer.from(body))) {
    if (field.number === 1) request.resourceSpans.push(decodeResourceSpans(bytesOf(field)));
  }
  return request;
}

function decodeResourceSpans(buf: Buffer): OtlpResourceSpans {
  const result: OtlpResourceSpans = { resource: { attributes: [] }, scopeSpans: [] };
  for (const field of fields(buf)) {
    if (field.number === 1) result.resource = { attributes: decodeAttributes(bytesOf(field), 1) };
    else if (field.number === 2) result.scopeSpans.push(decodeScopeSpans(bytesOf(field)));
  }
  return result;
}

function decodeScopeSpans(buf: Buffer): OtlpResourceSpans['scopeSpans'][number] {
  const result: OtlpResourceSpans['scopeSpans'][number] = { spans: [] };
  for (const field of fields(buf)) {
    if (field.number === 1) result.scope = decodeScope(bytesOf(field));
    else if (field.number === 2) result.spans.push(decodeSpan(bytesOf(field)));
  }
  return result;
}

function decodeScope(buf: Buffer): { name: string; version?: string } {
  const scope: { name: string; version?: string } = { name: '' };
  for (const field of fields(buf)) {
    if (field.number === 1) scope.name = stringOf(field);
    else if (field.number === 2) scope.version = stringOf(field);
  }
  return scope;
}

function decodeSpan(buf: Buffer): OtlpSpan {
  const span: OtlpSpan = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
    events: [],
    status: {},
  };
  for (const field of fields(buf)) {
    switch (field.number) {
      case 1:
        span.traceId = bytesOf(field).toString('hex');
        break;
      case 2:
        span.spanId = bytesOf(field).toString('hex');
        break;
      case 4:
        span.parentSpanId = bytesOf(field).toString('hex');
        break;
      case 5:
        span.name = stringOf(field);
        break;
      case 6:
        span.kind = Number(varintOf(field));
        break;
      case 7:
        span.startTimeUnixNano = fixed64Of(field).readBigUInt64LE().toString();
        break;
      case 8:
        span.endTimeUnixNano = fixed64Of(field).readBigUInt64LE().toString();
        break;
      case 9:
        span.attributes.push(decodeKeyValue(bytesOf(field)));
        break;
      case 11:
        span.events.push(decodeEvent(bytesOf(field)));
        break;
      case 15:
        span.status = decodeStatus(bytesOf(field));
        break;
    }
  }
  return span;
}

function decodeEvent(buf: Buffer): OtlpEvent {
  const event: OtlpEvent = { timeUnixNano: '0', name: '', attributes: [] };
  for (const field of fields(buf)) {
    if (field.number === 1) event.timeUnixNano = fixed64Of(field).readBigUInt64LE().toString();
    else if (field.number === 2) event.name = stringOf(field);
    else if (field.number === 3) event.attributes.push(decodeKeyValue(bytesOf(field)));
  }
  return event;
}

function decodeStatus(buf: Buffer): OtlpSpan['status'] {
  const status: OtlpSpan['status'] = {};
  for (const field of fields(buf)) {
    if (field.number === 2) status.message = stringOf(field);
    else if (field.number === 3) status.code = Number(varintOf(field));
  }
  return status;
}

/** The repeated KeyValue field `number` of a message (Resource.attributes, KeyValueList.values). */
function decodeAttributes(buf: Buffer, number: number): OtlpKeyValue[] {
  return [...fields(buf)].filter((field) => field.number === number).map((field) => decodeKeyValue(bytesOf(field)));
}

function decodeKeyValue(buf: Buffer): OtlpKeyValue {
  const keyValue: OtlpKeyValue = { key: '', value: {} };
  for (const field of fields(buf)) {
    if (field.number === 1) keyValue.key = stringOf(field);
    else if (field.number === 2) keyValue.value = decodeAnyValue(bytesOf(field));
  }
  return keyValue;
}

function decodeAnyValue(buf: Buffer): OtlpAnyValue {
  const value: OtlpAnyValue = {};
  for (const field of fields(buf)) {
    switch (field.number) {
      case 1:
        value.stringValue = stringOf(field);
        break;
      case 2:
        value.boolValue = varintOf(field) !== 0n;
        break;
      case 3:
        value.intValue = Number(BigInt.asIntN(64, varintOf(field)));
        break;
      case 4:
        value.doubleValue = fixed64Of(field).readDoubleLE();
        break;
      case 5:
        value.arrayValue = {
          values: [...fields(bytesOf(field))].filter((f) => f.number === 1).map((f) => decodeAnyValue(bytesOf(f))),
        };
        break;
      case 6:
        value.kvlistValue = { values: decodeAttributes(bytesOf(field), 1) };
        break;
      case 7:
        value.bytesValue = bytesOf(field).toString('base64');
        break;
    }
  }
  return value;
}

/** Every field of one message, in wire order. */
function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const take = (length: number): Buffer => {
    if (pos + length > buf.length) throw new Error('protobuf: field runs past the end of its message');
    const slice = buf.subarray(pos, pos + length);
    pos += length;
    return slice;
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const number = tag >>> 3;
    switch (tag & 7) {
      case 0:
        yield { number, wire: 'varint', value: varint() };
        break;
      case 1:
        yield { number, wire: 'fixed64', value: take(8) };
        break;
      case 2:
        yield { number, wire: 'bytes', value: take(Number(varint())) };
        break;
      case 5:
        yield { number, wire: 'fixed32', value: take(4) };
        break;
      default:
        throw new Error(`protobuf: unsupported wire type ${tag & 7} for field ${number}`);
    }
  }
}

function varintOf(field: Field): bigint {
  if (field.wire !== 'varint') throw new Error(`protobuf: field ${field.number} is ${field.wire}, expected varint`);
  return field.value;
}

function fixed64Of(field: Field): Buffer {
  if (field.wire !== 'fixed64') throw new Error(`protobuf: field ${field.number} is ${field.wire}, expected fixed64`);
  return field.value;
}

function bytesOf(field: Field): Buffer {
  if (field.wire !== 'bytes') throw new Error(`protobuf: field ${field.number} is ${field.wire}, expected length-delimited`);
  return field.value;
}

function stringOf(field: Field): string {
  return bytesOf(field).toString('utf8');
}
