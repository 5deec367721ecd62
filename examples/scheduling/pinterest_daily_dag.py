"""Airflow DAG: the Pinterest batch pipeline, @daily, as the seed ran it on MWAA.

The seed's DAG triggered a Databricks notebook each day. Here the first task runs
connect-worker in batch mode: it copies every new RDS row into Kafka and every Kafka record,
cleaned, into S3 and into the database tables of the JDBC sink, commits its offsets and exits
0 (non-zero fails the task, and Airflow retries it). The second task then answers the seed's
eight questions (milestone 7) from those tables with pinterest-queries.sql and logs them.
Offsets are kept between runs (the offset file for the RDS source, the consumer group for
the S3 sink), so each run picks up exactly where the previous one stopped.

Copy this file to your DAGs folder (MWAA: s3://<dags-bucket>/dags/) and set the Airflow
Variables below, or edit the defaults.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

PREFIX = Variable.get("connect_worker_prefix", default_var="/opt/connect-worker")
# The client that runs the queries against the JDBC sink's database, connection settings in
# an option file (MariaDB/MySQL) or ~/.pgpass + PG* variables (PostgreSQL: "psql -f").
QUERIES_CLIENT = Variable.get(
    "pinterest_queries_client",
    default_var="mariadb --defaults-extra-file=/etc/connect-worker/queries.cnf --table",
)

default_args = {
    "owner": "data-eng",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="pinterest_batch_pipeline",
    start_date=datetime(2026, 1, 1),
    schedule_interval="@daily",
    catchup=False,
    default_args=default_args,
    tags=["pinterest", "connect-worker"],
) as dag:
    copy = BashOperator(
        task_id="rds_to_kafka_to_s3_and_db",
        # Endpoints and credentials come from the environment the configs reference with
        # ${env:...}; keep secrets in an Airflow connection or the worker's IAM role.
        bash_command=(
            f"{PREFIX}/bin/connect-worker --exit-when-caught-up "
            f"{PREFIX}/etc/connect-worker/worker.properties "
            f"{PREFIX}/share/connect-worker/connectors/pinterest-rds-source.properties "
            f"{PREFIX}/share/connect-worker/connectors/pinterest-s3-sink.properties "
            f"{PREFIX}/share/connect-worker/connectors/pinterest-jdbc-sink.properties"
        ),
        execution_timeout=timedelta(hours=2),
    )
    queries = BashOperator(
        task_id="pinterest_queries",
        bash_command=(
            f"{QUERIES_CLIENT} < {PREFIX}/share/connect-worker/pinterest-queries.sql"
        ),
        execution_timeout=timedelta(minutes=30),
    )
    copy >> queries
