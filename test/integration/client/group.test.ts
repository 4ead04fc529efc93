import { groupSuite } from './suites/group.js';

groupSuite('embedded');
