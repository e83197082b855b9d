from foresight.__main__ import main


def test_help_and_unknown_command(capsys):
    assert main(["--help"]) == 0
    assert "mortality" in capsys.readouterr().out
    assert main(["nonsense"]) == 2
    assert main([]) == 2
