import { produceConsumeSuite } from './suites/produce_consume.js';

produceConsumeSuite('embedded');
