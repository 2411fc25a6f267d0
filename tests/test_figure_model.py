"""The whole-model figure: one box per layer with its numbers, the same bytes for the same model."""

import xml.etree.ElementTree as ET

from click.testing import CliRunner

from rnnquiz.calculator.model import count_model
from rnnquiz.cli import cli
from rnnquiz.figures.model import model_svg

NS = "{http://www.w3.org/2000/svg}"


def texts(svg):
    root = ET.fromstring(svg.encode("utf-8"))
    return root, [t.text for t in root.iter(f"{NS}text")]


def test_every_layer_shows_its_output_shape_parameters_and_formula():
    result = count_model("Embedding(5000, 32, input_length=100) > LSTM(100) > "
                         "Dense(1, activation='sigmoid') > BatchNormalization()")
    root, lines = texts(model_svg(result))
    joined = "\n".join(lines)
    assert root.find(f"{NS}title").text.endswith("213,305 parameters")
    for shape in ("(None, 100, 32)", "(None, 100)", "(None, 1)"):
        assert f"output {shape}" in lines
    for layer in result.layers:
        assert any(line.startswith(f"{layer.parameters:,} parameters") for line in lines)
    assert "LSTM(100) on 32 inputs: 4 × (100·32 + 100·100 + 100) = 53,200" in joined
    assert "4 parameters (2 trainable, 2 non-trainable)" in joined
    assert "total 213,305 parameters: 213,303 trainable, 2 non-trainable" in joined


def test_pytorch_recurrent_boxes_show_h_n_and_c_n():
    result = count_model("nn.LSTM(3, 5, num_layers=2, bidirectional=True) > nn.Linear(10, 2)",
                         T=7, batch=4)
    _, lines = texts(model_svg(result))
    assert "output (7, 4, 10)   h_n (4, 4, 5)   c_n (4, 4, 5)" in lines


def test_same_model_same_bytes_and_the_cli_writes_it(tmp_path):
    line = "Input(shape=(16, 8)) > GRU(4, return_sequences=True) > GlobalMaxPooling1D()"
    assert model_svg(count_model(line)) == model_svg(count_model(line))
    out = tmp_path / "m.svg"
    result = CliRunner().invoke(cli, ["count", line, "--svg", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == model_svg(count_model(line))
    bad = CliRunner().invoke(cli, ["count", line, "--svg", str(out), "--grid"])
    assert bad.exit_code == 2 and "--grid draws one recurrent stack" in bad.output
