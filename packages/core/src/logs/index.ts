export { LOG_LEVELS, type LogEntry, type LogHourStats, type LogPage, type RequestLogInput } from './log-entry.js';
export { LOGS_TABLE, logsCollection } from './log-schema.js';
export { LogStore, type LogListParams, type LogReads } from './log-store.js';
export { LogWriter, type LogSettings, type LogWriterOptions } from './log-writer.js';
export { entriesOf, type RequestLogBatch } from './log-batch.js';
export { storeLogSink, type LogSink } from './log-sink.js';
export { registerLogFunctions, segmentBlobRows, LOG_ROWS_FUNCTION } from './log-segment-blob.js';
