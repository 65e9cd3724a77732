/**
 * Indexed socio-economic tables, as built by server/regions from the configured CSVs and consumed
 * by the pure indicator functions (yield-gap.ts). Types only.
 */

export interface RegionRef {
  id: string;
  name: string;
}

/** One crop-statistics record; fields are null when the source value is unknown. */
export interface CropObservation {
  yieldKgHa: number | null;
  productionT: number | null;
  plantedAreaHa: number | null;
  /** the source row had 0s that were read as "unknown" (IBGE PAM maps none, n/a and confidential to 0) */
  zeroAsUnknown: boolean;
}

export interface CropStatisticsIndex {
  source: string;
  /** how a 0 in the source was read */
  zeroMeans: 'unknown' | 'zero';
  /** crop code as in the table (e.g. soja) -> region id -> year -> record */
  crops: Map<string, Map<string, Map<number, CropObservation>>>;
  /** first and last year present, per crop code */
  yearRange: Map<string, [number, number]>;
}

export interface PopulationIndex {
  source: string;
  /** region id -> year -> persons */
  byRegion: Map<string, Map<number, number>>;
  yearRange: [number, number];
}

export interface PriceIndex {
  source: string;
  /** e.g. "USD/t" */
  unit: string;
  note: string;
  /** series name (e.g. SOYBEANS) -> month "YYYY-MM" -> price */
  series: Map<string, Map<string, number>>;
}

export interface IndexedTables {
  cropStatistics: CropStatisticsIndex;
  population: PopulationIndex | null;
  prices: PriceIndex | null;
}
