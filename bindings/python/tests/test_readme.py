"""The README's quickstart runs as written (in a scratch directory)."""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def test_readme_quickstart_runs(tmp_path, monkeypatch, capsys):
    with open(os.path.join(HERE, "..", "README.md"), encoding="utf-8") as f:
        code = re.search(r"## Quickstart\n\n```python\n(.*?)```", f.read(), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md quickstart", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "('d1', Decimal('21.50'))" and out[1] == "('d2', Decimal('19.25'))"
    assert "maintained incrementally" in out[2]
    assert out[3] == "[('per_device', 0, 'fresh')]"
