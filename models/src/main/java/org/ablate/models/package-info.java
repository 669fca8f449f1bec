/** Models assembled from discovered components. */
package org.ablate.models;
