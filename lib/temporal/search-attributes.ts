// Registers the brief's custom search attributes (workflows/brief/search-attributes.ts) in the
// namespace. A dev server or a self-hosted cluster takes them from here; on Temporal Cloud an
// operator creates them once (the README names them), and until then briefs run unindexed.
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Logger } from '../logger';
import { BRIEF_SEARCH_ATTRIBUTES } from '../../workflows/brief/search-attributes';

const INDEXED_VALUE_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** True once the namespace has every attribute a brief sets, registering the missing ones. */
export async function ensureBriefSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string, logger: Logger): Promise<boolean> {
  const missing = async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return BRIEF_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  };
  try {
    const absent = await missing();
    if (absent.length === 0) return true;
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(absent.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
      });
    } catch (err) {
      // Another process (the API beside the worker) may have registered them a moment earlier.
      if ((await missing()).length > 0) throw err;
    }
    if ((await missing()).length === 0) {
      logger.info({ registered: absent.map((key) => key.name) }, 'search attributes of briefs registered');
      return true;
    }
  } catch (err) {
    logger.warn(
      { err: (err as Error).message, attributes: BRIEF_SEARCH_ATTRIBUTES.map((key) => `${key.name} (${key.type})`) },
      'the search attributes of briefs are not registered and could not be: new briefs run without them until an operator registers them',
    );
  }
  return false;
}
