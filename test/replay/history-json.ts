// History <-> JSON for the replay tests: the SDK's historyToJSON / historyFromJSON, with a
// fallback for installs where they cannot work.
//
// @temporalio/common and @temporalio/proto 1.24 each depend on protobufjs 8, but npm cannot hoist
// it while protobufjs 7 (for @grpc/proto-loader) sits at the root of node_modules: each gets a
// copy of its own, and the SDK's proto-utils then throws "type must be a Type" (protojson, from
// common's copy, checks `instanceof Type` against types built by proto's copy). Declaring
// protobufjs 8 as a direct dependency dedupes it and makes the fallback unnecessary. The fallback
// does what proto-utils does, with the protojson of the copy that built the types.
import { createRequire } from 'node:module';
import * as protoUtils from '@temporalio/common/lib/proto-utils';
import type { History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

interface HistoryType {
  fromObject(object: unknown): unknown;
}

const isDuplicateProtobufjs = (err: unknown) => err instanceof TypeError && err.message === 'type must be a Type';

let fallback: { protojson: ProtoJson; historyType: unknown; historyClass: HistoryType } | undefined;
function sameCopy() {
  if (!fallback) {
    // The very @temporalio/proto module that @temporalio/common uses, and its own protobufjs.
    const fromCommon = createRequire(require.resolve('@temporalio/common'));
    const protoEntry = fromCommon.resolve('@temporalio/proto');
    const fromProto = createRequire(protoEntry);
    const proto = fromCommon('@temporalio/proto') as Record<string, unknown> & {
      temporal: { api: { history: { v1: { History: HistoryType } } } };
    };
    const { patchProtobufRoot } = fromCommon('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: <T>(root: T) => T & { lookupType(name: string): unknown } };
    fallback = {
      protojson: fromProto('protobufjs/ext/protojson') as ProtoJson,
      historyType: patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History'),
      historyClass: proto.temporal.api.history.v1.History,
    };
  }
  return fallback;
}

/** A history as the JSON that `temporal workflow show --output json` also writes. */
export function historyToJSON(history: History): string {
  try {
    return protoUtils.historyToJSON(history);
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    const { protojson, historyType, historyClass } = sameCopy();
    return JSON.stringify(protojson.toJson(historyType, historyClass.fromObject(history)), null, 2);
  }
}

/** A history from its JSON (as parsed by JSON.parse). */
export function historyFromJSON(json: unknown): History {
  try {
    return protoUtils.historyFromJSON(json);
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    // Canonical proto JSON (what historyToJSON writes) needs none of proto-utils' enum fix-ups.
    const { protojson, historyType } = sameCopy();
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  }
}
