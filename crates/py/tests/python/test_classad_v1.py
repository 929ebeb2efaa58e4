"""The v1 `classad` names scripts still use: Literal, Attribute, Function,
and ExprTree operators that build expressions."""

import pytest


def test_building_expressions_with_python_operators():
    import classad
    mem = classad.Attribute("Memory")
    req = (mem > 1024).and_(classad.Attribute("Arch") == "X86_64")
    assert isinstance(req, classad.ExprTree)
    assert repr(req) == '(Memory > 1024) && (Arch == "X86_64")'
    slot = classad.ClassAd({"Memory": 2048, "Arch": "X86_64"})
    assert req.eval(slot) is True
    assert (mem + 1).eval(slot) == 2049
    assert (2 * mem).eval(slot) == 4096
    assert ((mem + 1) * 2).eval(slot) == 4098
    assert repr((mem + 1) * 2) == "(Memory + 1) * 2"
    assert classad.Attribute("x").is_(None).eval() is True
    assert repr(-mem) == " -Memory"  # HTCondor prints unary minus with a space before it


def test_literal_function_and_round_trips():
    import classad
    assert classad.Literal(3).eval() == 3
    assert repr(classad.Literal("a\"b")) == '"a\\"b"'
    f = classad.Function("strcat", "a", classad.Attribute("b"), 1)
    assert repr(f) == 'strcat("a",b,1)'
    assert f.eval(classad.ClassAd({"b": "-"})) == "a-1"
    assert classad.ExprTree(repr(f)).sameAs(f)
    assert classad.ExprTree("1 + 1").sameAs(classad.ExprTree("1 + 1"))
    assert bool(classad.ExprTree("2 > 1")) is True
    # v1 `==` builds an expression; classad2's compares trees
    assert repr(classad.ExprTree("a") == 1) == "a == 1"
    import classad2
    assert (classad2.ExprTree("a") == classad2.ExprTree("a")) is True
    # v2 names are there too
    assert classad.parseOne("a = 1\nb = a + 1\n").eval("b") == 2
    assert classad.quote("x") == '"x"' and classad.unquote('"x"') == "x"
    assert classad.Value.Undefined is classad.ClassAd().get("nope", classad.Value.Undefined)


def test_register_is_refused_clearly():
    import classad
    with pytest.raises(classad.ClassAdException, match="not supported"):
        classad.register(lambda x: x)


def test_htcondor_v1_names_are_the_v2_objects():
    import htcondor
    import htcondor2
    assert htcondor.DaemonTypes is htcondor2.DaemonType
    assert htcondor.AdTypes.Credd == htcondor2.AdType.Credd
    assert htcondor.DaemonCommands.OffFast == 60006
    assert htcondor.param is htcondor2.param
    assert htcondor.Schedd is htcondor2.Schedd
    assert issubclass(htcondor.HTCondorException, RuntimeError)


def test_classad2_expressions_combine_with_operators_too():
    import classad2
    e = (classad2.ExprTree("Memory") > 1024).and_(classad2.ExprTree("Cpus") >= 2)
    assert type(e) is classad2.ExprTree
    assert repr(e) == "(Memory > 1024) && (Cpus >= 2)"
    assert e.eval(classad2.ClassAd({"Memory": 2048, "Cpus": 4})) is True
    assert (classad2.ExprTree("x") * 2 + 1).eval(classad2.ClassAd({"x": 5})) == 11
    assert (classad2.ExprTree("x") == classad2.ExprTree("x")) is True
