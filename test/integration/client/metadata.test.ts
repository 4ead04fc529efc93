import { metadataSuite } from './suites/metadata.js';

metadataSuite('embedded');
