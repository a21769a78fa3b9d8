# `pip install ./build/python`: the package built in build/python/cosim (its extension included).
from setuptools import setup

setup(name="cosim", version="0.1.0", packages=["cosim"], package_data={"cosim": ["_core*.so"]}, zip_safe=False,
      description="cosim: what a DNN costs on a multiplier/shift/adder accelerator (cycle-accurate SystemC)")
