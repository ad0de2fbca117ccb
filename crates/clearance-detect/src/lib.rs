//! Detectors of sensitive passages (markings, coordinates, units, IDs, watchlist terms).
