"""tinysense.node_energy / battery_life_hours / node_wakeups vs a Python model."""
import math

import numpy as np
import pytest

import tinysense as ts


def model(sleep_ma=0.0, cpu_active_ma=0.0, sensor_on_ma=0.0, radio_tx_ma=0.0, radio_rx_ma=0.0,
          wakeup_ma=0.0, wakeup_s=0.0, wakeups_per_hour=0.0, cpu_active_s_per_hour=0.0,
          radio_tx_s_per_hour=0.0, radio_rx_s_per_hour=0.0, sensor_on_fraction=1.0,
          capacity_mah=1.0, usable_fraction=1.0, self_discharge_per_year=0.0):
    busy = wakeups_per_hour * wakeup_s + cpu_active_s_per_hour + radio_tx_s_per_hour + radio_rx_s_per_hour
    avg = (sleep_ma * (3600 - busy) + wakeup_ma * wakeups_per_hour * wakeup_s
           + cpu_active_ma * cpu_active_s_per_hour + radio_tx_ma * radio_tx_s_per_hour
           + radio_rx_ma * radio_rx_s_per_hour) / 3600 + sensor_on_ma * sensor_on_fraction
    q = capacity_mah * usable_fraction
    if self_discharge_per_year == 0:
        life = q / avg
    else:
        lam = -math.log(1 - self_discharge_per_year) / 8760
        life = math.log(1 + lam * q / avg) / lam
    return avg, life


def test_hand_computed():
    r = ts.node_energy(sleep_ma=0.005, cpu_active_ma=5.0, cpu_active_s_per_hour=36.0,
                       sensor_on_fraction=0.0, capacity_mah=1000.0)
    assert r["average_ma"] == pytest.approx(0.05495, rel=1e-12)
    assert r["life_hours"] == pytest.approx(18198.362147, rel=1e-9)
    assert ts.battery_life_hours(220.0, 0.001, 1.0, 0.01) == pytest.approx(196170.6003, rel=1e-9)


def test_random_configs_match_model():
    rng = np.random.default_rng(5)
    for _ in range(200):
        kw = dict(sleep_ma=rng.uniform(0, 0.01), cpu_active_ma=rng.uniform(0, 10),
                  sensor_on_ma=rng.uniform(0, 1), radio_tx_ma=rng.uniform(0, 20),
                  radio_rx_ma=rng.uniform(0, 15), wakeup_ma=rng.uniform(0, 5),
                  wakeup_s=rng.uniform(0, 0.002), wakeups_per_hour=rng.uniform(0, 20000),
                  cpu_active_s_per_hour=rng.uniform(0, 500), radio_tx_s_per_hour=rng.uniform(0, 100),
                  radio_rx_s_per_hour=rng.uniform(0, 100), sensor_on_fraction=rng.uniform(0, 1),
                  capacity_mah=rng.uniform(100, 3000), usable_fraction=rng.uniform(0.5, 1),
                  self_discharge_per_year=rng.choice([0.0, rng.uniform(0, 0.3)]))
        r = ts.node_energy(**kw)
        avg, life = model(**kw)
        assert r["average_ma"] == pytest.approx(avg, rel=1e-12)
        assert r["life_hours"] == pytest.approx(life, rel=1e-9)
        parts = sum(r[k] for k in ("sleep_ma", "wakeup_ma", "cpu_ma", "sensor_ma", "tx_ma", "rx_ma"))
        assert parts == pytest.approx(r["average_ma"], rel=1e-12)


def test_bad_values():
    with pytest.raises(ValueError, match="node_energy"):
        ts.node_energy(sleep_ma=-1.0)
    with pytest.raises(ValueError, match="out of range"):
        ts.node_energy(cpu_active_s_per_hour=3601.0)
    with pytest.raises(ValueError):
        ts.node_energy(capacity_mah=0.0)
    with pytest.raises(ValueError):
        ts.battery_life_hours(220.0, 0.01, 1.0, 1.0)


def test_wakeups_batched_vs_naive():
    u32 = lambda v: np.array(v, np.uint32)  # noqa: E731
    period, slack, phase = u32([100000, 300000]), u32([40000, 150000]), u32([0, 50000])
    b = ts.node_wakeups(period, slack, phase, 999999)
    n = ts.node_wakeups(period, slack, phase, 999999, batched=False)
    assert (b["wakeups"], n["wakeups"]) == (10, 14)  # the hand-computed case of test_scheduler.cpp
    assert b["missed"] == 0 and n["missed"] == 0
    assert np.all(b["max_late_us"] <= slack)
    with pytest.raises(TypeError):
        ts.node_wakeups(period.astype(np.int64), slack, phase, 1000)
    with pytest.raises(ValueError):
        ts.node_wakeups(period, slack[:1], phase, 1000)
    with pytest.raises(ValueError, match="invalid argument"):
        ts.node_wakeups(period, u32([100000, 0]), phase, 1000)  # slack >= period
