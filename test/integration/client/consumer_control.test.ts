import { consumerControlSuite } from './suites/consumer_control.js';

consumerControlSuite('embedded');
