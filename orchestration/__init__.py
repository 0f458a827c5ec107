"""The customer tiering job: ingest, dbt transform, checks, publication, governance."""

import warnings

#: pandera loads pyspark (installed for the Spark engine) to learn its DataFrame types,
#: and pyspark.pandas then warns that it does not fully support pandas 3. The project
#: uses Spark only through Spark SQL (dbt-spark), never pandas-on-Spark.
PYSPARK_PANDAS_WARNING = "PySpark does not yet fully support pandas >= 3.0.0"

warnings.filterwarnings("ignore", message=PYSPARK_PANDAS_WARNING, category=FutureWarning)
