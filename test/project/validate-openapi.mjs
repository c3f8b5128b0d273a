// Validates an OpenAPI document with @seriousme/openapi-schema-validator (ESM only, hence a child process of
// test/project/openapi.test.ts). Prints {"valid":bool,"version":"3.1","errors":[...]} and exits 0.
import { Validator } from '@seriousme/openapi-schema-validator';

const validator = new Validator();
const result = await validator.validate(process.argv[2]);
process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? [] }));
