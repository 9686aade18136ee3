"""tinysense.bench_report on synthetic Google Benchmark / callgrind / target files."""
import importlib.util
import json
import os

import pytest

try:  # the host build's copy (conftest); it is pure Python, so the source tree works too
    from tinysense import bench_report
except ImportError:  # build tree older than bench_report.py
    _src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "tinysense", "bench_report.py")
    _spec = importlib.util.spec_from_file_location("tinysense_bench_report", _src)
    bench_report = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(bench_report)


def _agg(name, agg, cpu, unit="ns", samples=256):
    return {"name": f"{name}_{agg}", "run_name": name, "run_type": "aggregate", "aggregate_name": agg,
            "repetitions": 3, "cpu_time": cpu, "real_time": cpu, "time_unit": unit,
            "samples_per_call": samples}


def _host_json(path):
    benches = []
    for name, t, samples in (("rfft_f32/tinysense/256", 500.0, 256), ("rfft_f32/kissfft/256", 1500.0, 256),
                             ("rfft_f32/fftw_measure/256", 250.0, 256),
                             ("biquad_f32/tinysense/4x2000", 8.0, 2000)):
        unit = "us" if name.startswith("biquad") else "ns"
        benches += [_agg(name, "mean", t * 1.01, unit, samples), _agg(name, "median", t, unit, samples),
                    _agg(name, "stddev", t * 0.02, unit, samples)]
        benches.append({**_agg(name, "cv", 0.02, unit, samples), "time_unit": unit})
    benches.append({"name": "rms_f32/tinysense/2048", "run_name": "rms_f32/tinysense/2048",
                    "run_type": "iteration", "error_occurred": True, "error_message": "boom"})
    ctx = {"date": "2024-01-01", "num_cpus": 2, "mhz_per_cpu": 3000,
           "tinysense_compiler": "GNU 12", "tinysense_cxx_flags": "-O3 -DNDEBUG"}
    with open(path, "w") as f:
        json.dump({"context": ctx, "benchmarks": benches}, f)


def test_load_host_uses_median_cpu_time_in_ns(tmp_path):
    _host_json(tmp_path / "host.json")
    ctx, rows = bench_report.load_host(tmp_path / "host.json")
    by = {r["name"]: r for r in rows}
    assert by["rfft_f32/kissfft/256"]["time_ns"] == 1500.0
    assert by["biquad_f32/tinysense/4x2000"]["time_ns"] == pytest.approx(8000.0)
    assert by["biquad_f32/tinysense/4x2000"]["samples"] == 2000
    assert by["rfft_f32/tinysense/256"]["cv"] == pytest.approx(0.02)
    assert by["rms_f32/tinysense/2048"]["error"] == "boom"
    assert ctx["num_cpus"] == 2


def test_load_host_without_aggregates(tmp_path):
    runs = [{"name": "k/tinysense/8", "run_name": "k/tinysense/8", "run_type": "iteration",
             "cpu_time": t, "real_time": t, "time_unit": "ns", "samples_per_call": 8} for t in (3.0, 1.0, 2.0, 10.0)]
    (tmp_path / "host.json").write_text(json.dumps({"context": {}, "benchmarks": runs}))
    _, rows = bench_report.load_host(tmp_path / "host.json")
    assert rows[0]["time_ns"] == 2.5 and rows[0]["mean_ns"] == 4.0


def test_report_fft_ratios_goal_and_target(tmp_path):
    _host_json(tmp_path / "host.json")
    target = {"command": "scripts/bench-target --x", "records": [
        {"kernel": "rfft_f32", "param": "n=1024", "instructions": 20000, "per_sample": 19.5,
         "reference_name": "CMSIS-DSP arm_rfft_fast_f32", "reference_instructions": 30000,
         "text_bytes": 1234, "stack_bytes": 96, "ram_bytes": 4096}]}
    (tmp_path / "target.json").write_text(json.dumps(target))
    assert bench_report.main(["--results", str(tmp_path), "--host-command", "HOSTCMD"]) == 0
    md = (tmp_path / "REPORT.md").read_text()
    # 1500 / 500 = 3x vs KissFFT (goal 4x not met), 250 / 500 = 0.5x vs FFTW.
    fft_row = next(line for line in md.splitlines() if line.startswith("| 256 |"))
    assert "3.00x" in fft_row and "0.50x" in fft_row and "not met" in fft_row
    assert "HOSTCMD" in md and "scripts/bench-target --x" in md
    assert "error: boom" in md
    # every QEMU figure is labelled as an instruction count
    target_part = md.split("## Cortex-M4F")[1]
    assert bench_report.QEMU_NOTE in target_part
    row = next(line for line in target_part.splitlines() if line.startswith("| rfft_f32 |"))
    assert "1.50x" in row and "20,000" in row
    assert "1,234" in md and "4,096" in md
    png = tmp_path / "bench.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < 200_000


def test_report_accepts_plain_record_list_and_missing_files(tmp_path):
    (tmp_path / "target.json").write_text(json.dumps([{"kernel": "biquad_f32", "param": "4x2000"}]))
    assert bench_report.main(["--results", str(tmp_path), "--no-plot"]) == 0
    md = (tmp_path / "REPORT.md").read_text()
    assert "No host.json" in md and "| biquad_f32 | 4x2000 | - |" in md


def test_icount_parses_client_request_dumps(tmp_path):
    dump = tmp_path / "cg.out.1"
    dump.write_text("# callgrind format\nversion: 1\ndesc: Trigger: Client Request: rfft_f32/tinysense/256 reps=10\n"
                    "events: Ir\nsummary: 123450\nfn=(1) f\n0 5\ntotals: 123450\n")
    final = tmp_path / "cg.out"
    final.write_text("desc: Trigger: Program termination\nsummary: 99\n")
    labels = tmp_path / "labels.txt"
    labels.write_text("rfft_f32/tinysense/256 reps=10 samples=256\n")
    out = tmp_path / "icount.json"
    assert bench_report.main(["icount", "--out", str(out), "--samples", str(labels), str(dump), str(final)]) == 0
    recs = json.loads(out.read_text())["records"]
    assert len(recs) == 1
    assert recs[0]["instructions"] == 12345.0 and recs[0]["per_sample"] == pytest.approx(12345.0 / 256)
    assert bench_report.main(["icount", "--out", str(out), str(final)]) == 1


def test_report_reads_bench_target_schema(tmp_path):
    doc = {"schema": "tinysense-bench-target/1", "compiler": "arm-none-eabi-g++ 12", "flags": "-O3",
           "overhead_instructions": 2,
           "calibration": [{"kernel": "calib_nop", "expected": 1000, "instructions": 1000},
                           {"kernel": "calib_loop", "expected": 20001, "instructions": 20001}],
           "results": [
               {"kernel": "biquad_f32", "param": "sections=4,n=2000", "instructions": 54797,
                "unit": "sample*section", "units": 8000, "per_unit": 6.8496,
                "references": [{"name": "CMSIS-DSP df2T", "per_unit": 7.39, "ratio": 0.9269},
                               {"name": "emlearn biquad", "per_unit": 26.3, "ratio": 0.2604}],
                "text_bytes": 1408, "text_tinysense_bytes": 1268, "rodata_bytes": 96,
                "ram_bytes": 44, "stack_bytes": 64, "stack_static_bytes": 56},
               {"kernel": "irfft_f32", "param": "n=1024", "instructions": 40573, "unit": "call",
                "units": 1, "per_unit": 40573.0, "references": []}]}
    (tmp_path / "target.json").write_text(json.dumps(doc))
    assert bench_report.main(["--results", str(tmp_path)]) == 0
    md = (tmp_path / "REPORT.md").read_text()
    target_part = md.split("## Cortex-M4F")[1]
    assert "`scripts/bench-target`" in target_part and "2 of 2 known-count" in target_part
    rows = [line for line in target_part.splitlines() if "CMSIS-DSP df2T" in line or "emlearn biquad" in line]
    # ratio = reference / ours: 7.39 / 6.8496 and 26.3 / 6.8496
    assert "1.08x" in rows[0] and "3.84x" in rows[1]
    assert "| irfft_f32 | n=1024 | 40,573 |" in target_part
    assert "64 (56)" in target_part and "1,268" in target_part
