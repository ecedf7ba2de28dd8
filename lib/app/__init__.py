"""The Streamlit app's glue, split by job (the only package that imports Streamlit):

- ``state``: the store, the municipality in view and the data pages read (data manager);
- ``filters``: the shared sidebar filters and the URL;
- ``signin``: sign-in, roles and the viewer's disclosure rules;
- ``presentation``: presentation mode for the projector;
- ``frontend``: Streamlit's own words in Swedish;
- ``widgets``, ``map_assets``: shared page furniture;
- ``navigation``: the one private Streamlit call, isolated.
"""
