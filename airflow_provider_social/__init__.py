"""Apache Airflow provider for VK, VK Cloud Vision, Twitter/X, Yandex Disk and Odnoklassniki."""

__version__ = "0.1.0"
