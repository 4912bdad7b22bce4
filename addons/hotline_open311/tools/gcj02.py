"""WGS84 ⇄ GCJ-02 ("Mars coordinates"), the datum of the maps published in mainland China (Amap/Gaode,
Tencent, and Baidu before its own BD-09 shift).

GeoReport v2 speaks WGS84; the center's maps and the coordinates stored on cases are GCJ-02. The forward
transform is the public reference formula (Krasovsky 1940 ellipsoid); it has no closed inverse, so
``gcj02_to_wgs84`` iterates the forward one until the round trip is within 1e-9 degree (about 0.1 mm).
Outside mainland China (the usual rectangle) both datums are the same and points are returned unchanged.
Pure functions: the tests check them against known answers.
"""

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m)
_EE = 0.00669342162296594323  # its first eccentricity squared
_PRECISION = 1e-9
_MAX_ITERATIONS = 30


def out_of_china(lng, lat):
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lng, lat):
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng, lat):
    """(lng, lat) in WGS84 -> (lng, lat) in GCJ-02."""
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _offset(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng, lat):
    """(lng, lat) in GCJ-02 -> (lng, lat) in WGS84, exact to 1e-9 degree (fixed-point iteration)."""
    if out_of_china(lng, lat):
        return lng, lat
    wgs_lng, wgs_lat = lng, lat
    for _i in range(_MAX_ITERATIONS):
        fwd_lng, fwd_lat = wgs84_to_gcj02(wgs_lng, wgs_lat)
        err_lng, err_lat = fwd_lng - lng, fwd_lat - lat
        if abs(err_lng) < _PRECISION and abs(err_lat) < _PRECISION:
            break
        wgs_lng, wgs_lat = wgs_lng - err_lng, wgs_lat - err_lat
    return wgs_lng, wgs_lat
