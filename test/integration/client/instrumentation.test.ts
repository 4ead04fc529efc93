import { instrumentationSuite } from './suites/instrumentation.js';

instrumentationSuite('embedded');
