/** Benchmarks. */
package org.ablate.bench;
