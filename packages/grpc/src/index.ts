export { createGrpcServer, type GrpcServerServices, type GrpcTls, type TandemGrpcServer } from './grpc-server.js';
export { defaultGrpcOptions, type GrpcOptions } from './grpc-options.js';
export { PROTO_DIR, readProtoFiles, TANDEM_PROTO_FILES } from './proto/proto-files.js';
export { grpcCodeOf } from './status/grpc-codes.js';
