import { adminSuite } from './suites/admin.js';

adminSuite('embedded');
