import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ActionInput } from '@tandem/core';
import { fromStruct, type StructMessage } from '../proto/struct-value.js';
import type { GrpcServices } from '../call/grpc-services.js';
import { unaryHandler, type UnaryInput } from '../call/unary-call.js';
import { toQuery, toRecordMessage, type RecordMessage } from './record-message.js';
import { watchHandler, type OpenWatches } from './watch-stream.js';
import type { ChangeEncoder } from './change-encoding.js';

interface ListRequest {
  collection: string;
  filter: string;
  sort: string;
  page: number;
  per_page: number;
  skip_total: boolean;
  expand: string;
  fields: string;
}
interface GetRequest {
  collection: string;
  id: string;
  expand: string;
  fields: string;
}
interface WriteRequest extends GetRequest {
  data: StructMessage | null;
}

interface Page {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: unknown[];
}

/**
 * `tandem.v1.Records`: each method is one core action through the dispatcher, with the
 * same input REST builds (`collection` and `id` as path values, REST's query parameters,
 * the Struct as the JSON body). Rules, validation, filters and the fields picker are the
 * actions' own; this file only maps messages.
 */
export function recordsService(
  services: GrpcServices,
  encodeChange: ChangeEncoder,
  openWatches: OpenWatches,
): UntypedServiceImplementation {
  const dispatch = (action: string, input: ActionInput, { request }: UnaryInput<unknown>) =>
    services.actions.dispatch(action, input, request);
  return {
    List: unaryHandler<ListRequest, unknown>(services, {
      httpMethod: 'GET',
      query: (m) =>
        toQuery({
          filter: m.filter,
          sort: m.sort,
          page: m.page,
          perPage: m.per_page,
          skipTotal: m.skip_total,
          expand: m.expand,
          fields: m.fields,
        }),
      run: async (input) => toListResponse((await dispatch('records.list', actionInput(input), input)).body as Page),
    }),
    Get: unaryHandler<GetRequest, RecordMessage>(services, {
      httpMethod: 'GET',
      query: readQuery,
      run: async (input) => toRecordMessage((await dispatch('records.view', actionInput(input), input)).body),
    }),
    Create: unaryHandler<WriteRequest, RecordMessage>(services, {
      httpMethod: 'POST',
      query: readQuery,
      run: async (input) => toRecordMessage((await dispatch('records.create', writeInput(input), input)).body),
    }),
    Update: unaryHandler<WriteRequest, RecordMessage>(services, {
      httpMethod: 'PATCH',
      query: readQuery,
      run: async (input) => toRecordMessage((await dispatch('records.update', writeInput(input), input)).body),
    }),
    Delete: unaryHandler<GetRequest, object>(services, {
      httpMethod: 'DELETE',
      query: () => ({}),
      run: async (input) => (await dispatch('records.delete', actionInput(input), input), {}),
    }),
    Watch: watchHandler(services, encodeChange, openWatches),
  };
}

const readQuery = (m: GetRequest) => toQuery({ expand: m.expand, fields: m.fields });

/** The action input REST would build: path values and the query parameters. */
function actionInput({ message, request }: UnaryInput<{ collection: string; id?: string }>): ActionInput {
  const params: Record<string, string> = { collection: message.collection };
  if (message.id !== undefined) params.id = message.id;
  return { params, query: request.query };
}

/** A write's input: the Struct is the JSON body, with the bounds of every JSON input. */
function writeInput(input: UnaryInput<WriteRequest>): ActionInput {
  return { ...actionInput(input), body: fromStruct(input.message.data) };
}

function toListResponse(page: Page) {
  return {
    page: page.page,
    per_page: page.perPage,
    total_items: page.totalItems,
    total_pages: page.totalPages,
    items: page.items.map(toRecordMessage),
  };
}
